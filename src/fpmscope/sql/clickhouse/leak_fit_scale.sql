-- Twin of sql/leak_fit_scale.sql: 1.4826 × the median of |r| / sqrt(the window's requests).
SELECT if(length(s) = 0, NULL, 1.4826 * (s[intDiv(length(s) - 1, 2) + 1] + s[intDiv(length(s), 2) + 1]) / 2) AS scale
FROM (SELECT arraySort(groupArray(abs(r) / sqrt(arraySum(ns)))) AS s FROM leak_fit_w) AS sorted
