<?php
$product = ['id' => (int) $param, 'name' => 'Product ' . $param, 'tags' => range(1, 50)];
header('Content-Type: application/json');
echo json_encode($product), "\n";
