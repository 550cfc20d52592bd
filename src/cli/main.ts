console.log("hutch")
