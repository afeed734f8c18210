<?php
header('Content-Type: application/json');
echo json_encode(['sku' => $param, 'stock' => crc32($param) % 100]), "\n";
