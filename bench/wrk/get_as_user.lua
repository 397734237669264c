-- GET the URL as a signed-in user. Argument (after `--`): the bearer token.

function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
