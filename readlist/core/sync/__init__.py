"""Sync: the library's folder as a git repository, merged paper by paper on every machine.

git is the engine (git.py runs it); the merge is one function keyed by paper id (merge.py, with
lines.py for notes); driver.py is what git runs to merge the library file; repo.py sets the folder
up and recovers from a sync that was killed; steps.py and commands.py are `readlist sync`. Nothing
is imported here, so the driver, which git starts once per merge, loads only what it uses.
"""
