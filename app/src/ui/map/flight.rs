//! Camera flights: a map moves to a new centre and zoom over a short, eased time instead of
//! jumping, and asks for frames only while it moves.

use walkers::{MapMemory, Position, lat_lon};

/// A move in progress: from where, to where, since when (egui time, seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flight {
    from: (Position, f64),
    to: (Position, f64),
    start: f64,
    duration_s: f64,
}

impl Flight {
    /// A flight from where `memory` looks now (or `home` when it follows its home) to `to`.
    pub fn new(
        memory: &MapMemory,
        home: Position,
        to: (Position, f64),
        now: f64,
        duration_s: f64,
    ) -> Self {
        Self {
            from: (memory.detached().unwrap_or(home), memory.zoom()),
            to,
            start: now,
            duration_s: duration_s.max(1e-3),
        }
    }

    /// Moves `memory` to where the flight is at `now` (smoothstep easing). Returns whether it
    /// still flies (the caller asks for another frame).
    pub fn step(&self, memory: &mut MapMemory, now: f64) -> bool {
        let t = ((now - self.start) / self.duration_s).clamp(0.0, 1.0);
        let s = t * t * (3.0 - 2.0 * t);
        let lerp = |a: f64, b: f64| a + (b - a) * s;
        memory.center_at(lat_lon(
            lerp(self.from.0.y(), self.to.0.y()),
            lerp(self.from.0.x(), self.to.0.x()),
        ));
        let _ = memory.set_zoom(lerp(self.from.1, self.to.1));
        t < 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flight_eases_from_start_to_end_and_then_stops() {
        let mut memory = MapMemory::default();
        let _ = memory.set_zoom(4.0);
        let home = lat_lon(35.0, 105.0);
        let flight = Flight::new(&memory, home, (lat_lon(23.0, 113.0), 8.0), 10.0, 0.6);
        assert!(flight.step(&mut memory, 10.3), "half way");
        let mid = memory.zoom();
        assert!(mid > 4.0 && mid < 8.0, "{mid}");
        assert!(!flight.step(&mut memory, 10.7), "arrived");
        assert!((memory.zoom() - 8.0).abs() < 1e-9);
        let at = memory.detached().expect("moved off home");
        assert!((at.y() - 23.0).abs() < 1e-9 && (at.x() - 113.0).abs() < 1e-9);
    }
}
