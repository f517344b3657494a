# Sagebrush notebook instances without direct internet access: inside the instance's own network namespace, listen
# on 127.0.0.1:<port> (the port of AWS_ENDPOINT_URL) and relay each connection to the unix socket the server listens
# on for this instance, so that boto3 and the AWS CLI reach the API (and the credentials endpoint) as everywhere else.
import asyncio
import sys

PORT, SOCKET = int(sys.argv[1]), sys.argv[2]


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


async def handle(client_reader, client_writer):
    try:
        upstream_reader, upstream_writer = await asyncio.open_unix_connection(SOCKET)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT)
    async with server:
        await server.serve_forever()


asyncio.run(main())
