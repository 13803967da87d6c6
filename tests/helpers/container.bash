# The container tests' skip reasons, said one way: why, and where to read how to make them run
# (tests/docs.bats checks that every reason reaches the reader with that pointer).
CTR_HOWTO='see README, "Making the container tests run"'

# ctr_skip REASON: every test of the file skips with REASON and the pointer
ctr_skip () { CTR_SKIP="$1 ($CTR_HOWTO)" ; }
