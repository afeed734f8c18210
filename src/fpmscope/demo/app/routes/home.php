<?php
$items = [];
for ($i = 0; $i < 200; $i++) {
    $items[] = ['id' => $i, 'name' => "item $i", 'price' => $i * 1.5];
}
header('Content-Type: text/html');
echo '<h1>Shop</h1><p>', count($items), " items</p>\n";
