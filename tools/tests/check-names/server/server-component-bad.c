/* rule component: a file in server/ whose name lacks remsim-server */
