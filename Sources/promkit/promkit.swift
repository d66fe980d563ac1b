import ArgumentParser

/// The command-line kit: render workloads, parse expositions, and (later) serve and scrape them.
@main
struct Promkit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promkit",
        abstract: "Render, parse and measure Prometheus / OpenMetrics expositions.",
        subcommands: [RenderCommand.self, ParseCommand.self, ServeCommand.self]
    )
}
