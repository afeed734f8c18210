-- The requests the slow analysis ranks, unfiltered: a view over slow_all.
CREATE OR REPLACE TEMP VIEW slow_source AS SELECT * FROM slow_all
