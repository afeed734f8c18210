<?php
echo "OK ", date('c'), "\n";
