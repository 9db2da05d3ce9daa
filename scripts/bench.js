// Placeholder: replaced by the benchmark harness.
console.log('bench: nothing to measure yet');
