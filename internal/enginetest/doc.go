// Package enginetest runs this project's real program through the real Pulumi CLI and engine, with a local
// file backend and a fake AWS provider plugin (./fakeaws), to test what mocks cannot see: the CLI's config
// validation, the engine's create, replace and delete order, protect and retainOnDelete on destroy, and
// StackReferences resolved through a real backend.
//
// The tests carry the build tag "engine" because they need the Pulumi CLI v3.259.0: run them with
// `bash .ci/engine-test`, which builds the CLI from tools/pulumi-cli when it is missing. By hand:
//
//	LOG_ARCHIVE_PULUMI=/path/to/pulumi go test -tags engine -count=1 -v ./internal/enginetest/
package enginetest
