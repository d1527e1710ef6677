// swift-tools-version: 6.0
// Saturate: rewrites hand-written tensor programs into numerically stable ones
// by equality saturation. The Swift toolchain alone: no package dependencies.
import PackageDescription

let package = Package(
    name: "Saturate",
    products: [
        .library(name: "EGraph", targets: ["EGraph"]),
        .library(name: "TensorOps", targets: ["TensorOps"]),
        .library(name: "Extract", targets: ["Extract"]),
        .executable(name: "saturate", targets: ["Saturate"]),
        .executable(name: "saturate-bench", targets: ["SaturateBench"]),
    ],
    targets: [
        // The e-graph engine: knows nothing of tensors.
        .target(name: "EGraph"),
        // The program language: parsing, printing, shapes, grad, evaluation,
        // and the bridge into the e-graph.
        .target(name: "TensorOps", dependencies: ["EGraph"]),
        // Cost functions, the numerical-stability cost, and extraction.
        .target(name: "Extract", dependencies: ["EGraph", "TensorOps"]),
        // The engine-neutral benchmark workloads (Benchmarks/workloads.json),
        // shared by the benchmark program and the tests that replay them.
        .target(name: "Workloads", dependencies: ["EGraph"]),
        .executableTarget(name: "Saturate", dependencies: ["EGraph", "TensorOps"]),
        .executableTarget(
            name: "SaturateBench",
            dependencies: ["EGraph", "Workloads"]
        ),
        .testTarget(name: "EGraphTests", dependencies: ["EGraph"]),
        .testTarget(name: "WorkloadsTests", dependencies: ["EGraph", "Workloads"]),
        .testTarget(name: "TensorOpsTests", dependencies: ["EGraph", "TensorOps"]),
        .testTarget(name: "ExtractTests", dependencies: ["EGraph", "TensorOps", "Extract"]),
    ]
)
