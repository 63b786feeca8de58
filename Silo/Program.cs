using Granary.Silo;

// The master process: parse settings, build the host, run until stopped.
return await SiloProgram.RunAsync(args);
