#ifndef REEL_FFMPEG_LOADER_H
#define REEL_FFMPEG_LOADER_H
// CFFmpegLoader defines the libav* functions reel calls (see loader.c) and loads libav* on first use.
// It declares nothing of its own: callers use the libav headers through CFFmpeg.
#endif
