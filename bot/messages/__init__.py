"""Message catalogs, one per surface, merged by bot.i18n."""
