<?php
// Planted slow route: waits 300 ms on a "backend" and burns a little CPU.
// `fpmscope demo --fix search` makes it fast.
if (!in_array('search', explode(',', (string) getenv('DEMO_FIXED')), true)) {
    usleep(300000);
}
$h = '';
for ($i = 0; $i < 2000; $i++) {
    $h = md5($h . $i);
}
echo "results for ", htmlspecialchars(isset($_GET['q']) ? $_GET['q'] : ''), "\n";
