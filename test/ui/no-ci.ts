// Imported first by every Ink test: Ink reads CI when it is imported (is-in-ci)
// and, with CI set (as in the project's CI: CI=true), renders only the last frame
// at unmount and stops listening to resizes. ink-testing-library's debug mode
// still records frames, but unmounting then writes "\n" as the last frame. The
// tests exercise the interactive behaviour, so CI is removed before Ink loads.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
export {};
