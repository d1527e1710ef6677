// swift-tools-version: 6.0
// Saturate: rewrites hand-written tensor programs into numerically stable ones
// by equality saturation. The Swift toolchain alone: no package dependencies.
import PackageDescription

let package = Package(
    name: "Saturate",
    products: [
        // What a Swift user imports: optimize and programs, in one module.
        .library(name: "Saturate", targets: ["Saturate"]),
        .library(name: "EGraph", targets: ["EGraph"]),
        .library(name: "TensorOps", targets: ["TensorOps"]),
        .library(name: "Extract", targets: ["Extract"]),
        .library(name: "Optimizer", targets: ["Optimizer"]),
        .library(name: "RuleChecking", targets: ["RuleChecking"]),
        .executable(name: "saturate", targets: ["SaturateCLI"]),
        .executable(name: "saturate-bench", targets: ["SaturateBench"]),
    ],
    targets: [
        // The e-graph engine: knows nothing of tensors.
        .target(name: "EGraph", dependencies: ["CPrefetch"]),
        // A prefetch hint, which the standard library lacks: one inline C
        // function over the compiler's builtin, for the engine's lookups.
        .target(name: "CPrefetch"),
        // The program language: parsing, printing, shapes, grad, evaluation,
        // and the bridge into the e-graph.
        .target(name: "TensorOps", dependencies: ["EGraph", "Extract"]),
        // The default rule files, compiled in by the EmbedRules plugin from
        // rules/*.rules, their single source.
        .target(name: "DefaultRules", path: "rules", plugins: ["EmbedRules"]),
        .plugin(name: "EmbedRules", capability: .buildTool(), dependencies: ["EmbedRulesTool"]),
        .executableTarget(name: "EmbedRulesTool", path: "Plugins/EmbedRulesTool"),
        // Cost functions, the numerical-stability cost, and extraction.
        .target(name: "Extract", dependencies: ["EGraph"]),
        // optimize(_:): program in, stable program and report out.
        .target(name: "Optimizer", dependencies: ["EGraph", "TensorOps", "Extract", "DefaultRules"]),
        // The engine-neutral benchmark workloads (Benchmarks/workloads.json),
        // shared by the benchmark program and the tests that replay them.
        .target(name: "RuleChecking", dependencies: ["EGraph", "TensorOps", "Optimizer", "DefaultRules"]),
        .target(name: "Workloads", dependencies: ["EGraph"]),
        // The one module a Swift user imports: it re-exports optimize (Optimizer),
        // programs (TensorOps) and the costs (Extract).
        .target(name: "Saturate", dependencies: ["Extract", "Optimizer", "RuleChecking", "TensorOps"]),
        // The saturate command.
        .executableTarget(
            name: "SaturateCLI",
            dependencies: ["EGraph", "TensorOps", "Extract", "Optimizer", "RuleChecking", "DefaultRules"]),
        .executableTarget(
            name: "SaturateBench",
            dependencies: ["EGraph", "Workloads", "TensorOps", "Extract", "Optimizer"]
        ),
        // Test code shared by several test targets (the random program generator of the property tests): a
        // library of the tests, not of the package's products.
        .target(name: "TestSupport", dependencies: ["EGraph", "TensorOps"], path: "Tests/Support"),
        .testTarget(name: "EGraphTests", dependencies: ["EGraph", "Workloads"]),
        .testTarget(name: "WorkloadsTests", dependencies: ["EGraph", "Workloads"]),
        .testTarget(name: "TensorOpsTests", dependencies: ["EGraph", "Extract", "TensorOps", "TestSupport"]),
        .testTarget(name: "ExtractTests", dependencies: ["EGraph", "Extract"]),
        .testTarget(
            name: "OptimizerTests",
            dependencies: ["EGraph", "TensorOps", "Extract", "Optimizer", "RuleChecking", "TestSupport"]),
        // The saturate command, run as a process: its interface, the guide's
        // commands, hostile input.
        .testTarget(
            name: "SaturateTests",
            dependencies: ["EGraph", "TensorOps", "Optimizer", "Saturate", "SaturateCLI", "TestSupport"]),
    ]
)
