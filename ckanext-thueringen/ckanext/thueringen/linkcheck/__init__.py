"""Link checks of the access and download URLs (plugin `thueringen_linkcheck`)."""
