/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim's D-Bus layer, one header: the gdbus-codegen types of
 * org.remsim.{Server1,Bankd1,Client1} (skeletons for the daemons, proxies and
 * an object manager client for remsim-ctl and the tests), the names, the error
 * domain and the state words.
 */
#pragma once

#include "remsim-dbus-enum-types.h"
#include "remsim-dbus-enums.h"
#include "remsim-dbus-error.h"
#include "remsim-dbus-generated.h"
#include "remsim-dbus-names.h"
