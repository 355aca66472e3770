//! pprof `profile.proto` decoding into the model.
