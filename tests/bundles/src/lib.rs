//! The bundles under `bundles/` are tested from this package (`cargo test -p bundles`): its
//! test builds every charm and fixture charm, packs them where the bundles expect them
//! (`build/<name>.charm`, and the emulator's charm store `build/store/` for the Charmhub
//! names), verifies each bundle and deploys it in the emulator until it settles.
