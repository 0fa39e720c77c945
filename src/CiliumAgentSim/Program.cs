// Replaced by the simulator host (issue 2/6).
return 0;
