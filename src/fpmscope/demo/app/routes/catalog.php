<?php
// Pulls in many files: the first call on each worker warms opcache's shared memory.
$sum = 0;
foreach (glob(__DIR__ . '/../lib/widget_*.php') as $file) {
    $sum += require $file;
}
echo "catalog $param: $sum\n";
