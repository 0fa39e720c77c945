// Replaced by the plugin host (issue 1/6).
return 0;
