-- Pool-wide inputs of `fpmscope advise`: the p99 and max of one request's own footprint
-- (RSS or Zend's real peak above the request's start) and the largest shared resident size
-- any worker showed (opcache, the PHP binary and libraries: the same pages in every worker).
SELECT
    coalesce(quantile_disc(footprint, 0.99), 0) AS footprint_p99,
    coalesce(max(footprint), 0) AS footprint_max,
    coalesce(max(greatest(shared_start, shared_end)), 0) AS shared_max,
    count(*) AS requests
FROM leak_requests
