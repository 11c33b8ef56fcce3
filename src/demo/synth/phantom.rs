//! Pixel generation for the synthetic studies: analytic phantoms (ellipses painted row by row
//! as spans, so the cost is one pass over the pixels plus a few square roots per row) with
//! cheap integer noise, encoded as little-endian 16-bit samples.

/// xorshift64*: a few cycles per 4 pixels of noise, deterministic per series.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Row-major image of tissue values, reused slice after slice.
pub(super) struct Canvas {
    w: usize,
    h: usize,
    px: Vec<i32>,
}

impl Canvas {
    pub(super) fn new(w: usize, h: usize) -> Self {
        Canvas {
            w,
            h,
            px: vec![0; w * h],
        }
    }

    fn clear(&mut self, v: i32) {
        self.px.fill(v);
    }

    /// Calls `f(row, x0, x1)` for the pixel span of each row inside the ellipse (pixel
    /// centres at integer coordinates).
    fn spans(&self, cx: f32, cy: f32, rx: f32, ry: f32, mut f: impl FnMut(usize, usize, usize)) {
        if rx <= 0.0 || ry <= 0.0 {
            return;
        }
        let y0 = (cy - ry).ceil().max(0.0) as usize;
        let y1 = (cy + ry).floor().min(self.h as f32 - 1.0);
        if y1 < 0.0 {
            return;
        }
        for y in y0..=y1 as usize {
            let dy = (y as f32 - cy) / ry;
            let half = rx * (1.0 - dy * dy).max(0.0).sqrt();
            let x0 = (cx - half).ceil().max(0.0);
            let x1 = (cx + half).floor().min(self.w as f32 - 1.0);
            if x1 >= x0 {
                f(y, x0 as usize, x1 as usize);
            }
        }
    }

    /// Paints a filled ellipse (cross-sectional images: later shapes cover earlier ones).
    fn ellipse(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, v: i32) {
        let w = self.w;
        let mut rows = std::mem::take(&mut self.px);
        self.spans(cx, cy, rx, ry, |y, x0, x1| {
            rows[y * w + x0..=y * w + x1].fill(v)
        });
        self.px = rows;
    }

    /// Adds the projected thickness of an ellipsoid, `amp * sqrt(1 - r²)` (radiographs).
    fn dome(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, amp: f32) {
        let w = self.w;
        let mut rows = std::mem::take(&mut self.px);
        self.spans(cx, cy, rx, ry, |y, x0, x1| {
            let dy = (y as f32 - cy) / ry;
            let row = &mut rows[y * w..y * w + w];
            for (x, p) in row.iter_mut().enumerate().take(x1 + 1).skip(x0) {
                let dx = (x as f32 - cx) / rx;
                *p += (amp * (1.0 - dx * dx - dy * dy).max(0.0).sqrt()) as i32;
            }
        });
        self.px = rows;
    }

    /// Adds `v` on the part of an elliptic band (outer radii rx/ry, width `band`) lying
    /// above the centre on one side (`side` = ±1): the arc of a posterior rib.
    fn rib(&mut self, (cx, cy): (f32, f32), (rx, ry): (f32, f32), band: f32, side: f32, v: i32) {
        let w = self.w;
        let (irx, iry) = (rx - band, ry - band);
        for y in 0..self.h {
            let dy = y as f32 - cy;
            if dy >= 0.0 || dy <= -ry {
                continue;
            }
            let outer = rx * (1.0 - (dy / ry).powi(2)).sqrt();
            let inner = if dy > -iry {
                irx * (1.0 - (dy / iry).powi(2)).sqrt()
            } else {
                0.0
            };
            let (a, b) = (cx + side * inner, cx + side * outer);
            let x0 = a.min(b).ceil().max(0.0);
            let x1 = a.max(b).floor().min(w as f32 - 1.0);
            if x1 >= x0 {
                for p in &mut self.px[y * w + x0 as usize..=y * w + x1 as usize] {
                    *p += v;
                }
            }
        }
    }

    /// Little-endian 16-bit pixel bytes: value + offset + triangular noise of about
    /// ±`noise`, clamped to the stored range. Four pixels per random draw.
    pub(super) fn encode(
        &self,
        rng: &mut Rng,
        noise: i32,
        offset: i32,
        min: i32,
        max: i32,
    ) -> Vec<u8> {
        let (lo, hi) = (min + offset, max + offset);
        let mut out = Vec::with_capacity(self.px.len() * 2);
        for chunk in self.px.chunks(4) {
            let r = rng.next();
            for (k, v) in chunk.iter().enumerate() {
                let bits = (r >> (16 * k)) as i32;
                let tri = (bits & 0xFF) + ((bits >> 8) & 0xFF) - 255;
                let s = (v + offset + ((tri * noise) >> 8)).clamp(lo, hi);
                // Two's complement LE bytes are right for both signed and unsigned pixels.
                out.extend_from_slice(&(s as i16).to_le_bytes());
            }
        }
        out
    }
}

/// Axial chest slice in HU; `t` runs from the lung apices (0) to the upper abdomen (1).
pub(super) fn chest_ct(c: &mut Canvas, t: f32, spacing: f32) {
    let centre = (c.w as f32 - 1.0) / 2.0;
    // Millimetres from the isocentre to pixel coordinates.
    let px = |mm: f32| centre + mm / spacing;
    let r = |mm: f32| mm / spacing;
    c.clear(-1000);
    let shoulders = 1.0 + 0.12 * (1.0 - (t / 0.2).min(1.0));
    let (bx, by) = (160.0 * shoulders, 112.0);
    c.ellipse(px(0.0), px(5.0), r(bx), r(by), -100); // subcutaneous fat
    c.ellipse(px(0.0), px(5.0), r(bx - 14.0), r(by - 12.0), 45); // muscle and organs
    // Lungs grow from the apex and give way to liver/spleen under the diaphragm.
    let lung = (t / 0.25).min(1.0).sqrt() * ((1.0 - t) / 0.3).clamp(0.0, 1.0).sqrt();
    for (side, scale) in [(-1.0f32, 1.0f32), (1.0, 0.92)] {
        let (lx, ly) = (side * 68.0, 0.0);
        let (rx, ry) = (55.0 * lung * scale, 80.0 * lung);
        c.ellipse(px(lx), px(ly), r(rx), r(ry), -850);
        // A few vessels and bronchi, shifting with height.
        for k in 0..5 {
            let a = k as f32 * 1.3 + t * 6.0;
            let (vx, vy) = (lx + 0.55 * rx * a.cos(), ly + 0.55 * ry * a.sin());
            let v = if k % 2 == 0 { 40 } else { -950 };
            c.ellipse(px(vx), px(vy), r(3.0 * lung), r(3.0 * lung), v);
        }
    }
    if (0.4..0.85).contains(&t) {
        let s = ((t - 0.4) / 0.45 * std::f32::consts::PI).sin();
        c.ellipse(px(18.0), px(-22.0), r(58.0 * s), r(46.0 * s), 40); // heart
        c.ellipse(px(30.0), px(-30.0), r(20.0 * s), r(16.0 * s), 45); // ventricle blood
    }
    if (0.15..0.5).contains(&t) {
        c.ellipse(px(8.0), px(-20.0), r(14.0), r(14.0), 45); // ascending aorta
    }
    c.ellipse(px(18.0), px(48.0), r(12.0), r(12.0), 45); // descending aorta
    c.ellipse(px(0.0), px(-6.0), r(8.0), r(8.0), -950); // trachea / oesophagus
    // Spine: vertebral body (cortex and trabecular bone), posterior arch, canal.
    c.ellipse(px(0.0), px(92.0), r(24.0), r(16.0), 600);
    c.ellipse(px(0.0), px(70.0), r(18.0), r(16.0), 700);
    c.ellipse(px(0.0), px(70.0), r(15.0), r(13.0), 250);
    c.ellipse(px(0.0), px(90.0), r(8.0), r(7.0), 20);
    if (0.15..0.85).contains(&t) {
        c.ellipse(px(0.0), px(5.0 - by + 14.0), r(14.0), r(6.0), 500); // sternum
    }
    // Ribs: cross-sections along the inner body wall, appearing in oblique bands.
    for k in 0..14 {
        let a = std::f32::consts::PI * (0.08 + 0.84 * (k as f32 / 13.0));
        for side in [-1.0f32, 1.0] {
            let phase = (t * 40.0 + k as f32 * 0.7).sin();
            if phase > 0.1 {
                let (x, y) = (side * (bx - 20.0) * a.sin(), 5.0 - (by - 18.0) * a.cos());
                c.ellipse(px(x), px(y), r(6.0), r(4.5), 700);
            }
        }
    }
}

/// MR contrast: intensities per tissue on a 12-bit scale, noise, default window.
#[derive(Clone, Copy)]
pub(super) struct Contrast {
    background: i32,
    fat: i32,
    bone: i32,
    csf: i32,
    gray: i32,
    white: i32,
    muscle: i32,
    pub(super) noise: i32,
    pub(super) window: (i32, i32),
}

pub(super) const T1: Contrast = Contrast {
    background: 15,
    fat: 2900,
    bone: 120,
    csf: 350,
    gray: 1300,
    white: 1900,
    muscle: 1100,
    noise: 40,
    window: (1200, 2400),
};
pub(super) const T2: Contrast = Contrast {
    background: 15,
    fat: 1900,
    bone: 90,
    csf: 3500,
    gray: 1800,
    white: 1150,
    muscle: 700,
    noise: 50,
    window: (1700, 3400),
};

/// Axial head slice at height `z` mm (0 ≈ skull base, +100 ≈ vertex).
pub(super) fn head_axial(c: &mut Canvas, z: f32, spacing: f32, k: &Contrast) {
    let centre = (c.w as f32 - 1.0) / 2.0;
    let px = |mm: f32| centre + mm / spacing;
    let r = |mm: f32| mm / spacing;
    c.clear(k.background);
    let g = (1.0 - ((z - 20.0) / 95.0).powi(2)).max(0.0).sqrt();
    let (hx, hy) = (75.0 * g, 95.0 * g);
    if hx < 8.0 {
        return;
    }
    c.ellipse(px(0.0), px(0.0), r(hx), r(hy), k.fat); // scalp
    c.ellipse(px(0.0), px(0.0), r(hx - 4.0), r(hy - 4.0), k.bone); // skull
    c.ellipse(px(0.0), px(0.0), r(hx - 10.0), r(hy - 10.0), k.csf);
    c.ellipse(px(0.0), px(0.0), r(hx - 12.0), r(hy - 12.0), k.gray);
    c.ellipse(px(0.0), px(0.0), r(hx - 18.0), r(hy - 18.0), k.white);
    if (25.0..70.0).contains(&z) {
        for side in [-1.0f32, 1.0] {
            c.ellipse(px(side * 10.0), px(-4.0), r(5.0), r(24.0), k.csf); // lateral ventricles
            c.ellipse(px(side * 30.0), px(10.0), r(5.0), r(16.0), k.gray); // basal ganglia
        }
    }
    if z < 15.0 {
        for side in [-1.0f32, 1.0] {
            c.ellipse(px(side * 32.0), px(-78.0), r(12.0), r(12.0), k.csf); // eyes
            c.ellipse(px(side * 40.0), px(-5.0), r(18.0), r(22.0), k.gray); // temporal lobes
        }
        c.ellipse(px(0.0), px(45.0), r(42.0), r(26.0), k.gray); // cerebellum
        c.ellipse(px(0.0), px(15.0), r(12.0), r(11.0), k.white); // brainstem
        c.ellipse(px(0.0), px(30.0), r(3.0), r(3.0), k.csf); // fourth ventricle
    }
}

/// Sagittal head slice at `x` mm from the midline.
pub(super) fn head_sagittal(c: &mut Canvas, x: f32, spacing: f32, k: &Contrast) {
    let centre = (c.w as f32 - 1.0) / 2.0;
    // Rows: anterior→posterior; columns: top→bottom, with the head centre 20 mm above.
    let py = |mm: f32| centre + mm / spacing;
    let pz = |mm: f32| centre - (mm - 20.0) / spacing;
    let r = |mm: f32| mm / spacing;
    c.clear(k.background);
    let g = (1.0 - (x / 78.0).powi(2)).max(0.0).sqrt();
    c.ellipse(py(10.0), pz(-90.0), r(45.0 * g), r(60.0), k.muscle); // neck
    let (hy, hz) = (95.0 * g, 100.0 * g);
    if hy < 8.0 {
        return;
    }
    let z0 = 25.0;
    c.ellipse(py(0.0), pz(z0), r(hy), r(hz), k.fat);
    c.ellipse(py(0.0), pz(z0), r(hy - 4.0), r(hz - 4.0), k.bone);
    c.ellipse(py(0.0), pz(z0), r(hy - 10.0), r(hz - 10.0), k.csf);
    c.ellipse(py(0.0), pz(z0 + 5.0), r(hy - 12.0), r(hz - 17.0), k.gray);
    c.ellipse(py(0.0), pz(z0 + 8.0), r(hy - 20.0), r(hz - 28.0), k.white);
    if x.abs() < 40.0 {
        c.ellipse(py(40.0), pz(-15.0), r(32.0 * g), r(22.0 * g), k.gray); // cerebellum
    }
    if x.abs() < 14.0 {
        c.ellipse(py(0.0), pz(40.0), r(32.0), r(9.0), k.csf); // lateral ventricle
        c.ellipse(py(0.0), pz(50.0), r(38.0), r(3.0), k.white); // corpus callosum
        c.ellipse(py(15.0), pz(-30.0), r(10.0), r(40.0), k.white); // brainstem
    }
    if (20.0..45.0).contains(&x.abs()) {
        c.ellipse(py(-78.0), pz(0.0), r(12.0), r(12.0), k.csf); // eye
    }
}

/// PA chest radiograph, MONOCHROME2 (attenuation is bright), 12-bit values.
pub(super) fn chest_xray(c: &mut Canvas) {
    let (w, h) = (c.w as f32, c.h as f32);
    let cx = w / 2.0;
    c.clear(150); // direct exposure
    c.dome(cx, h * 0.56, w * 0.44, h * 0.62, 1300.0); // torso
    c.dome(cx, h * 0.02, w * 0.09, h * 0.12, 700.0); // neck
    for side in [-1.0f32, 1.0] {
        c.dome(cx + side * w * 0.4, h * 0.17, w * 0.1, h * 0.07, 300.0); // shoulders
        // Lungs: lower attenuation, cut below by the diaphragm domes.
        c.dome(cx + side * w * 0.19, h * 0.45, w * 0.16, h * 0.31, -1100.0);
        c.dome(cx + side * w * 0.2, h * 0.88, w * 0.24, h * 0.15, 600.0);
        c.dome(cx + side * w * 0.17, h * 0.2, w * 0.17, h * 0.018, 350.0); // clavicles
        for k in 0..10 {
            let y = h * (0.2 + 0.058 * k as f32);
            let (rx, ry) = (w * (0.2 + 0.012 * k as f32), h * 0.085);
            c.rib(
                (cx + side * w * 0.03, y + ry),
                (rx, ry),
                h * 0.012,
                side,
                260,
            );
        }
    }
    c.dome(cx + w * 0.06, h * 0.62, w * 0.17, h * 0.15, 550.0); // heart, to the patient's left
    c.dome(cx, h * 0.38, w * 0.06, h * 0.25, 450.0); // mediastinum
    c.dome(cx, h * 0.5, w * 0.035, h * 0.7, 600.0); // spine
}
