import LVSModel
// Placeholder: the scheduler protocol and the fourteen kernel schedulers land here.
