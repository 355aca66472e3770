module leakscope.samples

go 1.27
