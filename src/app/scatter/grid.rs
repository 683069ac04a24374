//! A uniform grid index over the 2-D scores, so hover and box-select query every row in a frame.

/// A uniform grid over 2-D points for nearest-point and rectangle queries on every row.
#[derive(Debug, Clone)]
pub struct GridIndex {
    x0: f64,
    y0: f64,
    cw: f64,
    ch: f64,
    nx: usize,
    ny: usize,
    /// Cell `c` holds `rows[start[c]..start[c + 1]]`.
    start: Vec<u32>,
    rows: Vec<u32>,
    xs: Vec<f32>,
    ys: Vec<f32>,
}

impl GridIndex {
    /// Indexes the points `(xs[i], ys[i])` (non-finite points are left out).
    pub fn build(xs: Vec<f32>, ys: Vec<f32>, cells: usize) -> Self {
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for (&x, &y) in xs.iter().zip(&ys) {
            if x.is_finite() && y.is_finite() {
                x0 = x0.min(f64::from(x));
                x1 = x1.max(f64::from(x));
                y0 = y0.min(f64::from(y));
                y1 = y1.max(f64::from(y));
            }
        }
        if x0 > x1 {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        let nx = cells.max(1);
        let ny = cells.max(1);
        let cw = ((x1 - x0) / nx as f64).max(1e-12);
        let ch = ((y1 - y0) / ny as f64).max(1e-12);
        let mut g = Self {
            x0,
            y0,
            cw,
            ch,
            nx,
            ny,
            start: vec![0; nx * ny + 1],
            rows: Vec::new(),
            xs,
            ys,
        };
        let cell_of: Vec<Option<usize>> =
            g.xs.iter()
                .zip(&g.ys)
                .map(|(&x, &y)| {
                    (x.is_finite() && y.is_finite()).then(|| {
                        let (cx, cy) = g.cell(f64::from(x), f64::from(y));
                        cy * nx + cx
                    })
                })
                .collect();
        for c in cell_of.iter().flatten() {
            g.start[c + 1] += 1;
        }
        for c in 0..nx * ny {
            g.start[c + 1] += g.start[c];
        }
        let mut fill: Vec<u32> = g.start[..nx * ny].to_vec();
        g.rows = vec![0; g.start[nx * ny] as usize];
        for (i, c) in cell_of.iter().enumerate() {
            if let Some(c) = c {
                g.rows[fill[*c] as usize] = i as u32;
                fill[*c] += 1;
            }
        }
        g
    }

    fn cell(&self, x: f64, y: f64) -> (usize, usize) {
        let cx = ((x - self.x0) / self.cw)
            .floor()
            .clamp(0.0, (self.nx - 1) as f64) as usize;
        let cy = ((y - self.y0) / self.ch)
            .floor()
            .clamp(0.0, (self.ny - 1) as f64) as usize;
        (cx, cy)
    }

    /// The coordinates of point `i` as indexed (NaN if `i` is out of range).
    pub fn point(&self, i: usize) -> [f32; 2] {
        [
            self.xs.get(i).copied().unwrap_or(f32::NAN),
            self.ys.get(i).copied().unwrap_or(f32::NAN),
        ]
    }

    /// Smallest and largest coordinates, `[[x0, y0], [x1, y1]]`.
    pub fn bounds(&self) -> [[f64; 2]; 2] {
        [
            [self.x0, self.y0],
            [
                self.x0 + self.cw * self.nx as f64,
                self.y0 + self.ch * self.ny as f64,
            ],
        ]
    }

    fn for_cells_in(&self, lo: [f64; 2], hi: [f64; 2], mut f: impl FnMut(usize)) {
        let [gx0, gy0] = self.bounds()[0];
        let [gx1, gy1] = self.bounds()[1];
        if hi[0] < gx0 || lo[0] > gx1 || hi[1] < gy0 || lo[1] > gy1 {
            return;
        }
        let (cx0, cy0) = self.cell(lo[0], lo[1]);
        let (cx1, cy1) = self.cell(hi[0], hi[1]);
        for cy in cy0..=cy1 {
            for cx in cx0..=cx1 {
                let c = cy * self.nx + cx;
                for &r in &self.rows[self.start[c] as usize..self.start[c + 1] as usize] {
                    f(r as usize);
                }
            }
        }
    }

    /// The point nearest to `(x, y)` within the ellipse of radii `(rx, ry)` (plot units) among those
    /// `keep` accepts.
    pub fn nearest(
        &self,
        x: f64,
        y: f64,
        rx: f64,
        ry: f64,
        keep: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let (rx, ry) = (rx.abs().max(1e-300), ry.abs().max(1e-300));
        let mut best: Option<(f64, usize)> = None;
        self.for_cells_in([x - rx, y - ry], [x + rx, y + ry], |i| {
            let dx = (f64::from(self.xs[i]) - x) / rx;
            let dy = (f64::from(self.ys[i]) - y) / ry;
            let d = dx * dx + dy * dy;
            if d <= 1.0 && best.is_none_or(|(b, _)| d < b) && keep(i) {
                best = Some((d, i));
            }
        });
        best.map(|(_, i)| i)
    }

    /// Every point inside the rectangle `[lo, hi]` that `keep` accepts, ascending.
    pub fn in_rect(&self, lo: [f64; 2], hi: [f64; 2], keep: impl Fn(usize) -> bool) -> Vec<usize> {
        let mut out = Vec::new();
        self.for_cells_in(lo, hi, |i| {
            let (x, y) = (f64::from(self.xs[i]), f64::from(self.ys[i]));
            if (lo[0]..=hi[0]).contains(&x) && (lo[1]..=hi[1]).contains(&y) && keep(i) {
                out.push(i);
            }
        });
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_finds_the_nearest_point_and_rectangles() {
        let xs = vec![0.0, 1.0, 2.0, 2.1, 10.0, f32::NAN];
        let ys = vec![0.0, 1.0, 2.0, 2.0, 10.0, 0.0];
        let g = GridIndex::build(xs, ys, 8);
        assert_eq!(g.nearest(2.04, 2.0, 0.5, 0.5, |_| true), Some(2));
        assert_eq!(g.nearest(2.04, 2.0, 0.5, 0.5, |i| i != 2), Some(3));
        assert_eq!(
            g.nearest(5.0, 5.0, 0.5, 0.5, |_| true),
            None,
            "nothing in reach"
        );
        assert_eq!(g.nearest(10.2, 10.0, 0.5, 0.5, |_| true), Some(4));
        assert_eq!(g.in_rect([0.5, 0.5], [2.05, 3.0], |_| true), [1, 2]);
        assert_eq!(
            g.in_rect([-1.0, -1.0], [20.0, 20.0], |i| i % 2 == 0),
            [0, 2, 4]
        );
        assert!(g.in_rect([30.0, 30.0], [40.0, 40.0], |_| true).is_empty());
        let empty = GridIndex::build(Vec::new(), Vec::new(), 8);
        assert_eq!(empty.nearest(0.0, 0.0, 1.0, 1.0, |_| true), None);
    }
}
