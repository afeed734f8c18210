<?php
$fields = ['name' => '', 'email' => '', 'message' => ''];
foreach ($fields as $k => $v) {
    $fields[$k] = isset($_POST[$k]) ? trim($_POST[$k]) : '';
}
echo "<form method=post>", implode('', array_map(function ($k) {
    return "<input name=$k>";
}, array_keys($fields))), "</form>\n";
