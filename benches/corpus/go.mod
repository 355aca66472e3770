module leakscope.benchcorpus

go 1.27
