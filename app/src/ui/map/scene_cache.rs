//! A map scene kept between frames: built again only when what it is built from changed (the
//! state's revision, the camera's zoom, the view's focus and selection, theme and language), so
//! a frame that only repaints — a flight, a hover, the flow animation — reuses it.

use std::sync::Arc;

/// The last scene built and the key it was built under.
pub struct SceneCache<K, S> {
    built: Option<(K, Arc<S>)>,
    builds: u64,
}

impl<K, S> Default for SceneCache<K, S> {
    fn default() -> Self {
        Self {
            built: None,
            builds: 0,
        }
    }
}

impl<K: PartialEq, S> SceneCache<K, S> {
    /// The scene for `key`: the cached one when the key is the same, else `build()`'s.
    pub fn get(&mut self, key: K, build: impl FnOnce() -> S) -> Arc<S> {
        if let Some((cached, scene)) = &self.built
            && *cached == key
        {
            return scene.clone();
        }
        let scene = Arc::new(build());
        self.builds += 1;
        self.built = Some((key, scene.clone()));
        scene
    }

    /// How many times a scene was built.
    #[cfg(test)]
    pub fn builds(&self) -> u64 {
        self.builds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_is_built_once_per_key() {
        let mut cache: SceneCache<(u64, u64), String> = SceneCache::default();
        let first = cache.get((1, 7), || "a".to_owned());
        let again = cache.get((1, 7), || "never built".to_owned());
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(cache.builds(), 1);
        let moved = cache.get((2, 7), || "b".to_owned());
        assert_eq!(moved.as_str(), "b");
        assert_eq!(cache.builds(), 2);
    }
}
