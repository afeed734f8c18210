-- One reweighting step of the robust fit: each window's residual under the coefficients
-- $beta (indexed by leak_fit_x.x + 1; the window's regressors are its list xn, see
-- leak_fit_y.sql), the residuals' robust scale (1.4826 × their median absolute deviation,
-- at least $min_scale bytes), and Huber's weight (full weight within $huber_k scales, then
-- falling as 1/|residual|). The window's kept bytes y ride along for X'Wy
-- (leak_fit_normal.sql).
CREATE OR REPLACE TEMP TABLE leak_fit_w AS
WITH beta AS (SELECT $beta::DOUBLE[] AS b),
residuals AS (
    SELECT win, y, y - list_sum(list_transform(xn, lambda p: p.n * b[p.x + 1])) AS r
    FROM leak_fit_y, beta
),
center AS (SELECT median(r) AS m FROM residuals),
spread AS (
    SELECT greatest(1.4826 * median(abs(r - center.m)), $min_scale) AS scale FROM residuals, center
)
SELECT win, r, y, least(1.0, $huber_k * spread.scale / greatest(abs(r), 1e-9)) AS w
FROM residuals, spread;
