"""PHP-FPM pool configuration: reading, editing, install, uninstall and check."""
