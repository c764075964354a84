use super::*;

#[test]
fn the_token_file_is_private_and_round_trips() {
    let dir = std::env::temp_dir().join(format!("tianshu-token-{}", std::process::id()));
    let path = dir.join("cfg").join("token");
    assert_eq!(load(&path).unwrap(), None);
    save(&path, "  s3cret-token\n").unwrap();
    assert_eq!(load(&path).unwrap().as_deref(), Some("s3cret-token"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "readable by the user alone");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(load(&path), Err(TokenStoreError::TooOpen { .. })));
        // Remembering again makes it private again.
        save(&path, "s3cret-token").unwrap();
        assert!(load(&path).is_ok());
    }
    assert!(matches!(save(&path, "a b"), Err(TokenStoreError::BadToken)));
    forget(&path).unwrap();
    assert_eq!(load(&path).unwrap(), None);
    forget(&path).unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
