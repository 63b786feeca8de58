using Granary.NodeAgent.Hosting;

// The worker process: parse settings, pick the runtime, build the host, run until stopped.
return await AgentProgram.RunAsync(args);
