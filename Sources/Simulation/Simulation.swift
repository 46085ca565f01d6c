import LVSModel
// Placeholder: the simulation engine lands here.
