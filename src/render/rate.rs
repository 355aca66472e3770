//! Rates shown in the unit the analysis words its sentences in.

/// How rates are shown: the same unit the analysis uses in its sentences
/// (per snapshot for captures under 2 minutes or without times, per minute
/// under 2 hours, else per hour).
#[derive(Clone, Copy, Debug)]
pub struct Per {
    /// `snapshot`, `min` or `h`.
    pub label: &'static str,
    /// Multiplier from a per-hour rate; `None`: per snapshot, by the mean
    /// spacing of each series' own points (as the analysis words it).
    factor: Option<f64>,
}

impl Per {
    /// The unit for an archive: per snapshot without real times.
    pub fn for_archive(archive: &crate::model::Archive) -> Per {
        let synthetic = !archive.snapshots.iter().any(|s| s.time.is_some());
        let snapshot = Per {
            label: "snapshot",
            factor: if synthetic { Some(1.0) } else { None },
        };
        if synthetic {
            return snapshot;
        }
        let Some((lo, hi)) = archive.time_span() else {
            return snapshot;
        };
        let hours = (hi - lo) as f64 / 3.6e12;
        match crate::analysis::words::RateUnit::for_span(hours, false) {
            crate::analysis::words::RateUnit::Snapshot => snapshot,
            crate::analysis::words::RateUnit::Minute => Per {
                label: "min",
                factor: Some(1.0 / 60.0),
            },
            crate::analysis::words::RateUnit::Hour => Per {
                label: "h",
                factor: Some(1.0),
            },
        }
    }

    /// A per-hour rate of `series` in this unit.
    pub fn convert(self, per_hour: f64, series: &crate::analysis::Series) -> f64 {
        match self.factor {
            Some(f) => per_hour * f,
            None => {
                let (Some(a), Some(b)) = (series.times.first(), series.times.last()) else {
                    return 0.0;
                };
                let intervals = series.times.len().saturating_sub(1);
                if intervals == 0 {
                    0.0
                } else {
                    per_hour * ((b - a) as f64 / 3.6e12) / intervals as f64
                }
            }
        }
    }
}
