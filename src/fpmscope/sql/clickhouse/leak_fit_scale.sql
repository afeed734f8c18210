-- Twin of sql/leak_fit_scale.sql: the mean of |r| / sqrt(the window's requests).
SELECT if(count() = 0, NULL, avg(abs(r) / sqrt(arraySum(ns)))) AS scale FROM leak_fit_w
