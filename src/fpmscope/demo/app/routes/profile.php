<?php
$profile = ['id' => $param, 'bio' => str_repeat('lorem ipsum ', 200)];
echo htmlspecialchars($profile['bio'], ENT_QUOTES), "\n";
