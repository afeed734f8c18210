<?php
// Planted red herring: builds and frees about 30 MB of PHP strings. Its footprint is huge,
// but PHP gives the memory back (Zend keeps some chunks cached for a few requests).
$rows = [];
for ($i = 0; $i < 150000; $i++) {
    $rows[] = str_repeat(chr(65 + $i % 26), 120) . $i;
}
$total = 0;
foreach ($rows as $row) {
    $total += strlen($row);
}
unset($rows);
echo "exported $total bytes\n";
