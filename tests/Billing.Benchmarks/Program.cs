Console.WriteLine("benchmarks: coming with the real-time calls issue");
