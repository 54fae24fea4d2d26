/// A fixed-size ring of samples with a running sum; an eviction subtracts before the new value
/// adds (the TS engine does the same, so both sums round alike).
#[derive(Clone, Debug)]
pub(crate) struct SampleWindow {
    pub(crate) values: Vec<f64>,
    pub(crate) count: usize,
    next: usize,
    pub(crate) sum: f64,
}

impl SampleWindow {
    pub(crate) fn new(size: usize) -> Self {
        Self {
            values: vec![0.0; size.max(1)],
            count: 0,
            next: 0,
            sum: 0.0,
        }
    }

    pub(crate) fn push(&mut self, value: f64) {
        if self.count == self.values.len() {
            self.sum -= self.values[self.next];
        } else {
            self.count += 1;
        }
        self.sum += value;
        self.values[self.next] = value;
        self.next = (self.next + 1) % self.values.len();
    }

    pub(crate) fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }

    /// The held samples, ascending.
    #[cfg(test)]
    pub(crate) fn sorted(&self) -> Vec<f64> {
        let mut sorted = self.values[..self.count].to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted
    }
}

/// One call's samples in a [`CallWindow`]: half a cache line, so a push writes one line.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
struct CallSample {
    latency_ms: f64,
    ms_per_token: f64,
    tokens: f64,
}

/// Three rings of the same length filled together (a call's latency, milliseconds per output
/// token and output tokens) stored as one ring of records with one header, so recording a call
/// writes two cache lines rather than six. Each running sum evicts and adds as a
/// [`SampleWindow`] does, so every sum rounds as three separate windows (and the TS engine's) do.
#[derive(Clone, Debug)]
#[repr(C)]
pub(crate) struct CallWindow {
    pub(crate) count: usize,
    next: usize,
    pub(crate) latency_sum: f64,
    pub(crate) ms_per_token_sum: f64,
    pub(crate) tokens_sum: f64,
    samples: Vec<CallSample>,
}

impl CallWindow {
    pub(crate) fn new(size: usize) -> Self {
        Self {
            count: 0,
            next: 0,
            latency_sum: 0.0,
            ms_per_token_sum: 0.0,
            tokens_sum: 0.0,
            samples: vec![CallSample::default(); size.max(1)],
        }
    }

    pub(crate) fn push(&mut self, latency_ms: f64, ms_per_token: f64, tokens: f64) {
        if self.count == self.samples.len() {
            let old = self.samples[self.next];
            self.latency_sum -= old.latency_ms;
            self.ms_per_token_sum -= old.ms_per_token;
            self.tokens_sum -= old.tokens;
        } else {
            self.count += 1;
        }
        self.latency_sum += latency_ms;
        self.ms_per_token_sum += ms_per_token;
        self.tokens_sum += tokens;
        self.samples[self.next] = CallSample {
            latency_ms,
            ms_per_token,
            tokens,
        };
        self.next = (self.next + 1) % self.samples.len();
    }

    fn mean_of(&self, sum: f64) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            sum / self.count as f64
        }
    }

    pub(crate) fn latency_mean(&self) -> f64 {
        self.mean_of(self.latency_sum)
    }

    pub(crate) fn ms_per_token_mean(&self) -> f64 {
        self.mean_of(self.ms_per_token_sum)
    }

    /// The held latencies, ascending.
    pub(crate) fn sorted_latencies(&self) -> Vec<f64> {
        let mut sorted: Vec<f64> = self.samples[..self.count]
            .iter()
            .map(|sample| sample.latency_ms)
            .collect();
        sorted.sort_by(f64::total_cmp);
        sorted
    }
}

/// Nearest-rank percentile of ascending `sorted`, 0 when empty.
pub(crate) fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((fraction * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_oldest_sample_and_keeps_the_sum() {
        let mut window = SampleWindow::new(2);
        window.push(1.0);
        window.push(2.0);
        window.push(4.0);
        assert_eq!(window.count, 2);
        assert_eq!(window.sum, 6.0);
        assert_eq!(window.sorted(), vec![2.0, 4.0]);
        assert_eq!(percentile(&window.sorted(), 0.5), 2.0);
        assert_eq!(percentile(&window.sorted(), 0.99), 4.0);
    }

    #[test]
    fn a_call_window_keeps_the_sums_of_three_sample_windows() {
        let mut calls = CallWindow::new(3);
        let mut apart = [
            SampleWindow::new(3),
            SampleWindow::new(3),
            SampleWindow::new(3),
        ];
        for step in 0..10 {
            let values = [
                0.1 * f64::from(step) + 0.7,
                1.0 / f64::from(step + 3),
                f64::from(step),
            ];
            calls.push(values[0], values[1], values[2]);
            for (window, value) in apart.iter_mut().zip(values) {
                window.push(value);
            }
            assert_eq!(calls.count, apart[0].count);
            assert_eq!(calls.latency_sum.to_bits(), apart[0].sum.to_bits());
            assert_eq!(calls.ms_per_token_sum.to_bits(), apart[1].sum.to_bits());
            assert_eq!(calls.tokens_sum.to_bits(), apart[2].sum.to_bits());
            assert_eq!(calls.latency_mean(), apart[0].mean());
            assert_eq!(calls.ms_per_token_mean(), apart[1].mean());
            assert_eq!(calls.sorted_latencies(), apart[0].sorted());
        }
    }
}
