-- Set one table of a trial fit aside, or back (analysis/retention.py, best_fit): {old} becomes
-- {new}, replacing any table of that name. Renaming moves no rows.
DROP TABLE IF EXISTS {new};
ALTER TABLE {old} RENAME TO {new};
