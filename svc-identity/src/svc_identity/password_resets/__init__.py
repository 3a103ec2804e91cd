"""Password reset (đặt lại mật khẩu) with an expiring, single-use token sent by mail."""
