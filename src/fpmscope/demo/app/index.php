<?php
// A small shop behind one front controller, as modern PHP apps are. Some routes carry faults
// planted on purpose; fpmscope should find them from the outside.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$routes = [
    '#^/$#' => 'home',
    '#^/products/(\d+)$#' => 'product',
    '#^/users/([0-9a-f-]{36})/profile$#' => 'profile',
    '#^/api/stock/([0-9a-f]{16,})$#' => 'stock',
    '#^/images/(\d+)/thumbnail$#' => 'thumbnail',
    '#^/orders/(\d+)/invoice$#' => 'invoice',
    '#^/reports/export$#' => 'export',
    '#^/search$#' => 'search',
    '#^/catalog/(\d+)$#' => 'catalog',
];
foreach ($routes as $pattern => $name) {
    if (preg_match($pattern, $path, $m)) {
        $param = isset($m[1]) ? $m[1] : null;
        require __DIR__ . '/routes/' . $name . '.php';
        exit;
    }
}
http_response_code(404);
echo "not found\n";
