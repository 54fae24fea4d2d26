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
    pub(crate) fn sorted(&self) -> Vec<f64> {
        let mut sorted = self.values[..self.count].to_vec();
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
}
