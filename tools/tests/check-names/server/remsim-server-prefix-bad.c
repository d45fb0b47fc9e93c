/* rule prefix: a static function without its file's prefix */
static int
helper(void)
{
	return 0;
}
