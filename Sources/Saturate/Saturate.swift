// The module a Swift user imports: `import Saturate` brings `optimize`, its
// options and report, and programs (parse, evaluate, print), without naming
// the pipeline's modules one by one.

@_exported import Extract
@_exported import Optimizer
@_exported import RuleChecking
@_exported import TensorOps
