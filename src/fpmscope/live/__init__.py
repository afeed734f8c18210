"""The live view of `fpmscope top`: sampler (status page + /proc) -> typed rows -> pure view."""
